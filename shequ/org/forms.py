from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import DateInput, SensitiveField
from shequ.core.validators import validate_phone, validate_uscc
from shequ.org.models import HOUSEHOLD_POSTS, Building, BuildingUnit, Grid, GridType, OrgType, Post

GEOJSON_MAX_BYTES = 2 * 1024 * 1024


class GridForm(forms.Form):
    name = forms.CharField(label=_("网格名称"), max_length=100)
    grid_type = forms.ChoiceField(label=_("网格类型"), choices=GridType.choices)
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BoundaryUploadForm(forms.Form):
    geojson = forms.FileField(
        label=_("GeoJSON 文件"), help_text=_("一个 Polygon 面，WGS84 经纬度；不超过 2 MB。")
    )

    def clean_geojson(self):
        f = self.cleaned_data["geojson"]
        if f.size > GEOJSON_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 2 MB，请只导出本网格的边界。"))
        raw = f.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("文件不是 UTF-8 编码的文本，请确认是 GeoJSON 文件。")) from None


class BuildingForm(forms.Form):
    compound = forms.CharField(label=_("小区"), max_length=100, required=False)
    number = forms.CharField(label=_("楼栋号"), max_length=30, help_text=_("如：3栋、A座"))
    floors = forms.IntegerField(label=_("层数"), min_value=1, max_value=200, required=False)


class UnitForm(forms.Form):
    number = forms.CharField(label=_("单元号"), max_length=30, help_text=_("如：1单元"))


class HouseForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单元"), queryset=BuildingUnit.objects.none())
    number = forms.CharField(label=_("房号"), max_length=30, help_text=_("如：1201"))
    floor = forms.IntegerField(label=_("楼层"), required=False, min_value=-5, max_value=200)
    area_m2 = forms.DecimalField(
        label=_("建筑面积（平方米）"), required=False, min_value=0, max_digits=8, decimal_places=2
    )

    def __init__(self, *args, building=None, **kwargs):
        super().__init__(*args, **kwargs)
        if building is not None:
            self.fields["unit"].queryset = building.units.all()


class AssignmentForm(forms.Form):
    # 党员户、文明户 name a house: they are registered on the participation module's network page.
    post = forms.ChoiceField(
        label=_("岗位"), choices=[(v, lab) for v, lab in Post.choices if v not in HOUSEHOLD_POSTS]
    )
    person_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, validators=[validate_phone])
    building = forms.ModelChoiceField(
        label=_("楼栋"), queryset=Building.objects.none(), required=False, help_text=_("楼栋长、单元长填写")
    )
    unit = forms.ModelChoiceField(
        label=_("单元"), queryset=BuildingUnit.objects.none(), required=False, help_text=_("单元长填写")
    )
    start_date = forms.DateField(label=_("任职起始"), widget=DateInput())
    end_date = forms.DateField(label=_("任职结束"), required=False, widget=DateInput())

    def __init__(self, *args, grid: Grid | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if grid is not None:
            self.fields["building"].queryset = grid.buildings.all()
            self.fields["unit"].queryset = BuildingUnit.objects.filter(building__grid=grid).select_related(
                "building"
            )


class ResidentOrgForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        validators=[validate_uscc],
        help_text=_("18 位，见营业执照或登记证书"),
    )
    org_type = forms.ChoiceField(label=_("单位类型"), choices=OrgType.choices)
    grid = forms.ModelChoiceField(label=_("所在网格"), queryset=Grid.objects.none(), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = SensitiveField(
        label=_("联系电话"), max_length=20, required=False, mask_rule="phone", validators=[validate_phone]
    )
    employees = forms.IntegerField(label=_("职工人数"), min_value=0, required=False)
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, community=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            self.fields["grid"].queryset = Grid.objects.visible_to(user).filter(community=community)
